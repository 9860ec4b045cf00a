"""klaster.data"""
