import json, sys, collections
d = json.load(open(sys.argv[1]))
ev = d['recording']['events']
def frames(e):
    st = e['values'].get('stackTrace')
    if not st: return []
    return [f['method']['type']['name'] + '.' + f['method']['name'] for f in st['frames']]
samples = []
for e in ev:
    fr = frames(e)
    t = e['values']['startTime']
    samples.append((t, fr))
samples.sort()
# windows: clusters of samples containing OrganizationTokenFilter.doFilter
def has(fr, s): return any(s in f for f in fr)
import datetime
def ts(t): return datetime.datetime.fromisoformat(t.replace('Z','+00:00')).timestamp()
ours_t = [ts(t) for t, fr in samples if has(fr, 'OrganizationTokenFilter.doFilter')]
wins = []
for t in ours_t:
    if wins and t - wins[-1][1] < 1.0: wins[-1][1] = t
    else: wins.append([t, t])
print('ours windows', [(round(b-a,1)) for a,b in wins])
inwin = lambda t: any(a <= t <= b for a,b in wins)
tot = 0; own = collections.Counter(); leaf = collections.Counter(); ownn = 0; chain = 0; noop=0
CHAIN = ('ServletHandler$ChainEnd', 'FilterChain', 'HttpServlet.service', 'ServletHolder')
for t, fr in samples:
    if not inwin(ts(t)) or not fr: continue
    tot += 1
    # index of our filter frame
    idx = next((i for i, f in enumerate(fr) if 'OrganizationTokenFilter.doFilter' in f), None)
    if idx is None: continue
    above = fr[:idx]
    if any(any(c in f for c in CHAIN) for f in above):
        chain += 1; continue
    ownn += 1
    ours = next((f for f in above if f.startswith('dev.orgtoken')), fr[idx])
    own[ours] += 1
    leaf[fr[0]] += 1
print('samples in ours windows', tot, 'under filter but not chain', ownn, '(%.1f%%)' % (100*ownn/max(tot,1)), 'under chain', chain)
print('-- by first dev.orgtoken frame from the top')
for k, v in own.most_common(25): print('%5d %5.1f%% %s' % (v, 100*v/tot, k))
print('-- by leaf')
for k, v in leaf.most_common(25): print('%5d %5.1f%% %s' % (v, 100*v/tot, k))
