"""The forecast: expected incident counts per h3 cell for the coming days, and its scoring.

The model (``model.py``) is a recency-weighted kernel density with a self-exciting part:

    E_c(H) = H · μ_c + Σ_i θ · (e^(−a_i/ω) − e^(−(a_i+H)/ω)) · g_i(c)
    μ_c    = (1 − θ) · Σ_i 2^(−a_i/h) · k_i(c) / D

for cell c over the H days after the origin, where a_i is the age in days of past event i at
the origin (only events before the origin are read), k_i and g_i spread each event's unit mass
over the k-ring of its cell in proportion to a Gaussian of the distance from the event's point
to each cell's centre (bandwidths ANALYSIS_FORECAST["bandwidth_m"] and ["trigger_bandwidth_m"]),
h is the half-life of the background's time decay, D = ∫ 2^(−a/h) da over the history read (so
μ is a rate per day), θ the share of events triggered by earlier ones and ω the mean delay of a
triggered event (an exponential, ETAS-style kernel). All parameters are fixed in settings.

Scoring (``scoring.py``): PAI, PEI and the hit rate at a share of the study area; the backtest
(``backtest.py``) scores the model and the naive prior-counts baselines over rolling origins.
"""
