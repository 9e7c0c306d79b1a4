"""simulation: APBN scenarios, Monte Carlo and the fiscal rules.

- :func:`treasury.simulation.assumptions.parse_scenario`: check a scenario (YAML/JSON mapping)
- :func:`treasury.simulation.simulate.simulate`: run it from the latest actuals -> the JSON result
- :func:`treasury.simulation.calibration.sensitivity_table`: the Nota Keuangan sensitivity table
- :func:`treasury.simulation.engine.project`: the vectorised projection ``(draws, years)``
- ``routes.py`` (page ``/simulation``, API ``/api/v1/simulations``), ``commands.py``
  (``treasury simulate``)
"""
