"""klaster.indicators"""
