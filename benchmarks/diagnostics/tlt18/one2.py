exec(open(__import__("os").path.join(__import__("os").path.dirname(__import__("os").path.abspath(__file__)), "one.py")).read().split("    rg = rho/Sy")[0].replace('print(" t0 q"', 'pass #'))
