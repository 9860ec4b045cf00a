"""klaster.reports"""
