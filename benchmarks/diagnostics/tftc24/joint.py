"""tftc24: screen the conditional band with the two tails' budget shared (a tail whose widened end cannot miss
leaves the rest to the other, as prepivot.joint_levels) against conditional_ends, on dump.py's worlds.

    PYTHONPATH=. python benchmarks/diagnostics/tftc24/joint.py DUMP.npz [...]
"""
import numpy as np, sys
sys.path.insert(0,'.')
from conditional import conditional_ends
def joint_ends(x, alpha):
    s = np.sort(x); k = s.size
    j = int(np.floor(alpha*(k+1)+1e-9)); J = int(np.floor(2*alpha*(k+1)+1e-9))
    mpos, mneg = int(np.sum(s > 0)), int(np.sum(s < 0))
    uh, ul = min(j, mpos+1), min(j, mneg+1)
    jl = J - uh if uh < j else j
    jh = J - ul if ul < j else j
    return s[jl-1], s[k-jh]
def cond_joint(t, fh, f0, alpha, k):
    dist = np.abs(fh - f0); k = max(min(k, dist.size), int(np.sum(dist == 0)))
    idx = np.argsort(dist, kind="stable")[:k]; x, dx = t[idx], fh[idx]-f0
    c = dx-dx.mean(); ss=c@c
    if ss>0: x = x - dx*(c@(x-x.mean())/ss)
    return joint_ends(x, alpha)
for p in sys.argv[1:]:
    z=np.load(p); rows, st, fh = z['rows'], z['st'].astype(float), z['fh'].astype(float)
    for name,fn in (("CE256",lambda a,b,c: tuple(v[0] for v in conditional_ends(a[:,None],b,c,0.025,256))),("joint256",lambda a,b,c: cond_joint(a,b,c,0.025,256))):
        b=a=0; hiw=[]
        for r in range(len(rows)):
            lo,hi=fn(st[r,-1],fh[r,-1],rows[r,5]); t=rows[r,6]
            b+= t>max(hi,0); a+= t<min(lo,0); hiw.append(max(hi,0)-min(lo,0))
        print(p.split('/')[-1], name, b, a, f"{100*(1-(a+b)/len(rows)):.1f}", f"{np.median(hiw):.2f}")
