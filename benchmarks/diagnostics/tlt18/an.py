import pickle, sys, numpy as np
R = pickle.load(open(sys.argv[1],'rb'))
lo = np.array([r['info']['index_lo'] for r in R]); hi = np.array([r['info']['index_hi'] for r in R])
print("index_lo (upper end) quantiles", np.round(np.quantile(lo,[0,.1,.25,.5,.75,.9,1]),2))
print("index_hi (lower end) quantiles", np.round(np.quantile(hi,[0,.1,.25,.5,.75,.9,1]),2))
w = {k: np.median([r[k][1]-r[k][0] for r in R]) for k in ("conc","law","new")}
print("median widths", w)
t = R[0]['truth']
for k in ("conc","law","new"):
    b = np.array([r[k][0] for r in R]); a = np.array([r[k][1] for r in R])
    print(k, "below", np.sum(t<b), "above", np.sum(t>a), "n", len(R))
