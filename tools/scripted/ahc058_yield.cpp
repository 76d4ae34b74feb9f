// AHC058: each turn, price every strengthening by its exact yield under "no further purchases"
// (each B_ij is a polynomial in the phase, kept in the binomial basis), pick the best target by
// OBJECTIVE and buy it now, or wait up to WAIT_LIMIT turns for it, buying an affordable filler
// meanwhile when that delays the target by at most FILL_SLACK turns. Decisions in doubles, apples
// exact in 128 bits. (A C++ port of problems/ahc058/solver.ts, for the scripted model.)
#include <bits/stdc++.h>
using namespace std;
typedef __int128 i128;
#ifndef WAIT_LIMIT
#define WAIT_LIMIT 500
#endif
#ifndef FILL_SLACK
#define FILL_SLACK 20
#endif
#ifndef FILL_RATIO
#define FILL_RATIO 4.0
#endif
#ifndef MIN_RATIO
#define MIN_RATIO 1.0
#endif
// The target's score: 0 = yield / cost, 1 = yield - cost, 2 = (yield - cost) / (wait + DELAY).
#ifndef OBJECTIVE
#define OBJECTIVE 1
#endif
#ifndef DELAY
#define DELAY 1.0
#endif
#ifndef BOOSTS
#define BOOSTS 1, 128, 128, 64
#endif
static const double BOOST[4] = {BOOSTS};

static double choose(double x, int d) {
  if (x < d) return 0;
  double v = 1;
  for (int q = 0; q < d; q++) v = v * (x - q) / (q + 1);
  return v;
}

int main() {
  int n, l, t;
  long long k0;
  if (!(cin >> n >> l >> t >> k0)) return 1;
  vector<long long> a(n);
  for (auto &x : a) cin >> x;
  vector<vector<long long>> c(l, vector<long long>(n));
  for (auto &row : c) for (auto &x : row) cin >> x;
  vector<vector<double>> p(l, vector<double>(n, 0)), b(l, vector<double>(n, 1));
  vector<vector<long long>> pe(l, vector<long long>(n, 0));
  vector<vector<i128>> be(l, vector<i128>(n, 1));
  i128 apples = k0;
  vector<vector<double>> coef(l, vector<double>(l));
  vector<double> income(l);
  auto poly = [&](int j) {
    for (int i = l - 1; i >= 0; i--) {
      fill(coef[i].begin(), coef[i].end(), 0.0);
      coef[i][0] = b[i][j];
      if (i + 1 < l) for (int d = 0; d + 1 < l; d++) coef[i][d + 1] = p[i + 1][j] * coef[i + 1][d];
    }
  };
  for (int turn = 0; turn < t; turn++) {
    const int r = t - turn;
    const double have = (double)apples;
    fill(income.begin(), income.end(), 0.0);
    for (int j = 0; j < n; j++) {
      if (p[0][j] == 0) continue;
      poly(j);
      for (int d = 0; d < l; d++) income[d] += a[j] * p[0][j] * coef[0][d];
    }
    auto cumulative = [&](double k) {
      double v = have;
      for (int d = 0; d < l; d++) v += income[d] * choose(k, d + 1);
      return v;
    };
    const double last = cumulative(r - 1);
    auto waitFor = [&](double cost, double offset) -> double {
      if (last - offset < cost) return INFINITY;
      int lo = 0, hi = r - 1;
      while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (cumulative(mid) - offset >= cost) hi = mid; else lo = mid + 1;
      }
      return lo;
    };
    int ti = -1, tj = -1, fi = -1, fj = -1;
    double tScore = -INFINITY, fScore = -INFINITY, tWait = 0, tCost = 0, fCost = 0;
    for (int j = 0; j < n; j++) {
      poly(j);
      double prefix = a[j];
      for (int i = 0; i < l; i++) {
        if (i > 0) prefix *= p[i - 1][j];
        const i128 costExact = (i128)c[i][j] * (pe[i][j] + 1);
        const double cost = (double)c[i][j] * (p[i][j] + 1);
        const bool affordable = apples >= costExact;
        const double wait = affordable ? 0 : waitFor(cost, 0);
        if (wait > WAIT_LIMIT || wait >= r || prefix == 0) continue;
        const double m = r - wait;
        double sum = 0;
        for (int e = 0; e < l - i; e++) {
          double v = 0;
          for (int d = e; d < l - i; d++) v += coef[i][d] * choose(wait, d - e);
          sum += v * choose(m, e + i + 1);
        }
        const double gain = BOOST[i] * prefix * sum;
        if (gain < MIN_RATIO * cost) continue;
        const double score = OBJECTIVE == 0 ? gain / cost : OBJECTIVE == 1 ? gain - cost : (gain - cost) / (wait + DELAY);
        if (score > tScore) tScore = score, ti = i, tj = j, tWait = wait, tCost = cost;
        if (affordable && gain >= FILL_RATIO * cost && gain / cost > fScore) fScore = gain / cost, fi = i, fj = j, fCost = cost;
      }
    }
    int ai = -1, aj = -1;
    if (ti >= 0 && tWait == 0) ai = ti, aj = tj;
    else if (ti >= 0 && fi >= 0 && FILL_SLACK >= 0 && waitFor(tCost, fCost) - tWait <= FILL_SLACK) ai = fi, aj = fj;
    if (ai >= 0) {
      const i128 cost = (i128)c[ai][aj] * (pe[ai][aj] + 1);
      if (cost > apples) ai = -1;
      else apples -= cost, pe[ai][aj]++, p[ai][aj] += 1;
    }
    if (ai >= 0) printf("%d %d\n", ai, aj); else puts("-1");
    for (int i = 0; i < l; i++) for (int j = 0; j < n; j++) {
      if (pe[i][j] == 0) continue;
      if (i == 0) apples += (i128)a[j] * be[0][j] * pe[i][j];
      else be[i - 1][j] += be[i][j] * pe[i][j], b[i - 1][j] += b[i][j] * p[i][j];
    }
  }
}
