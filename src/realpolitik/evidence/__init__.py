"""Evidence: historical episodes of courtship, a coding protocol that turns their facts into
realignment scenarios, its calibration on the library's outcomes, and the backtest that scores it.
"""
