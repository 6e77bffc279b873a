"""Pure logic: models, JWT inspection, expiry policy, errors and the ports the outer layers fill.

No Qt, no httpx, no keyring and no I/O may be imported here (tests/unit/test_layers.py checks it).
"""
