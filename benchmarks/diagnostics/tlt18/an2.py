import pickle, sys, numpy as np
R = pickle.load(open(sys.argv[1],'rb'))
t = R[0]['truth']
for k in ("conc","law","new","newp"):
    lo = np.array([r[k][0] for r in R]); hi = np.array([r[k][1] for r in R])
    print(f"{k:5s} cov {np.mean((lo<=t)&(t<=hi)):.3f} below {np.sum(t<lo)} above {np.sum(t>hi)} med width {np.median(hi-lo):.2f} med lo {np.median(lo):.2f} med hi {np.median(hi):.2f} q(hi) {np.round(np.quantile(hi,[.02,.05,.1]),2)}")
acc = np.mean([r['info']['accepted'] for r in R]); print("accepted frac", acc)
nb = [len(r['info']['T']) for r in R]; print("branch sizes", np.bincount(nb))
