"""klaster.taxonomy"""
