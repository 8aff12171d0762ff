"""tftc24: conditional_ends (COND_SHARE 256 of 1024) by bins of the data's noise fraction f0 on dump.py's worlds:
misses, the real t's quantiles, the ends' medians, the share of real t beyond each end.

    PYTHONPATH=. python benchmarks/diagnostics/tftc24/bins.py DUMP.npz
"""
import numpy as np, sys
from conditional import conditional_ends
z=np.load(sys.argv[1]); rows, st, fh = z['rows'], z['st'], z['fh']
f0=rows[:,5]; t=rows[:,6]
L=[];H=[];nties=[]
for r in range(len(rows)):
    lo,hi=conditional_ends(st[r,-1].astype(float)[:,None], fh[r,-1].astype(float), f0[r], 0.025, 256)
    L.append(lo[0]);H.append(hi[0]); nties.append(np.sum(fh[r,-1]==np.float32(f0[r])))
L=np.array(L);H=np.array(H);nties=np.array(nties)
for name,m in (("f0<.06",f0<0.06),(".06-.2",(f0>=0.06)&(f0<0.2)),(".2-.7",(f0>=.2)&(f0<.7)),(".7-.95",(f0>=.7)&(f0<.95)),(">=.95",f0>=.95)):
    if m.sum()==0: continue
    print(f"{name:7s} n={m.sum():3d} below {np.sum(t[m]>np.maximum(H[m],0)):2d} above {np.sum(t[m]<np.minimum(L[m],0)):2d} "
          f"t q2.5/50/97.5 {np.round(np.quantile(t[m],[.025,.5,.975]),2)} lo med {np.median(L[m]):.2f} hi med {np.median(H[m]):.2f} ties med {np.median(nties[m]):.0f} PITlo {np.mean(t[m]<L[m]):.3f} PIThi {np.mean(t[m]>H[m]):.3f}")
