"""The benchmark clusters' names as messages of the engine catalogue.

The built-in cluster definitions (us_benchmark_definitions.csv, the US benchmark of Delgado,
Porter & Stern 2016, and nace_benchmark_definitions.csv carried over to NACE Rev.2) name
their clusters in English; analyses store the name as written there. Pages and reports
show it in the reader's language through the engine catalogue (klaster.i18n), so the
names are listed here once with ``N_`` for scripts/update_engine_catalogue.py to extract
(tests/taxonomy/test_cluster_names.py checks the list against both CSV files).
"""

from __future__ import annotations

from klaster.i18n import N_

__all__ = ["CLUSTER_NAMES", "LOCAL", "TRADED"]

TRADED = (
    N_("Aerospace Engines"),
    N_("Aerospace Vehicles and Defense"),
    N_("Agricultural Products"),
    N_("Analytical Instruments"),
    N_("Apparel"),
    N_("Automotive"),
    N_("Biopharmaceuticals"),
    N_("Building Fixtures, Equipment and Services"),
    N_("Business Services"),
    N_("Casino Hotels"),
    N_("Chemical Products"),
    N_("Coal Mining"),
    N_("Combination Energy Services"),
    N_("Communications Equipment"),
    N_("Construction Materials"),
    N_("Distribution Services"),
    N_("Education and Knowledge Creation"),
    N_("Entertainment"),
    N_("Fertilizers"),
    N_("Financial Services"),
    N_("Fishing and Fishing Products"),
    N_("Footwear"),
    N_("Forest Products"),
    N_("Forestry and Primary Wood Processing"),
    N_("Furniture"),
    N_("Heavy Construction Services"),
    N_("Heavy Machinery"),
    N_("Hospitality and Tourism"),
    N_("Information Technology"),
    N_("Jewelry and Precious Metals"),
    N_("Leather and Related Products"),
    N_("Lighting and Electrical Equipment"),
    N_("Livestock Processing"),
    N_("Medical Devices"),
    N_("Metal Manufacturing"),
    N_("Metal Mining"),
    N_("Motor Driven Products"),
    N_("Nonmetal Mining"),
    N_("Oil and Gas Products and Services"),
    N_("Plastics"),
    N_("Power Generation and Transmission"),
    N_("Prefabricated Enclosures"),
    N_("Processed Food"),
    N_("Production Technology"),
    N_("Publishing and Printing"),
    N_("Sporting, Recreational and Children's Goods"),
    N_("Textiles"),
    N_("Tobacco"),
    N_("Transportation and Logistics"),
    N_("Water Transport"),
)

LOCAL = (
    N_("Local Commercial Services"),
    N_("Local Community and Civic Organizations"),
    N_("Local Education and Training"),
    N_("Local Entertainment and Media"),
    N_("Local Financial Services"),
    N_("Local Food and Beverage Processing and Distribution"),
    N_("Local Health Services"),
    N_("Local Hospitality Establishments"),
    N_("Local Household Goods and Services"),
    N_("Local Industrial Products and Services"),
    N_("Local Logistical Services"),
    N_("Local Motor Vehicle Products and Services"),
    N_("Local Personal Services (Non-Medical)"),
    N_("Local Real Estate, Construction, and Development"),
    N_("Local Retail Clothing and Accessories"),
    N_("Local Utilities"),
)

CLUSTER_NAMES = TRADED + LOCAL
