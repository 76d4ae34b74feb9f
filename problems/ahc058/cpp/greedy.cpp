// AHC058 greedy: each turn, buy the affordable upgrade whose estimated yield over the remaining
// turns (no further purchases, polynomial growth ignored beyond the first order) best exceeds
// its cost; otherwise do nothing.
#include <bits/stdc++.h>
using namespace std;
int main() {
  int n, l, t; long long k;
  cin >> n >> l >> t >> k;
  vector<long long> a(n);
  for (auto &x : a) cin >> x;
  vector<vector<long long>> c(l, vector<long long>(n));
  for (auto &row : c) for (auto &x : row) cin >> x;
  vector<vector<long long>> b(l, vector<long long>(n, 1)), p(l, vector<long long>(n, 0));
  __int128 apples = k;
  for (int turn = 0; turn < t; turn++) {
    double r = t - turn, best = 1.0;
    int bi = -1, bj = -1;
    for (int i = 0; i < l; i++) for (int j = 0; j < n; j++) {
      __int128 cost = (__int128)c[i][j] * (p[i][j] + 1);
      if (cost > apples) continue;
      // Yield of one more unit: level 0 produces A B r; level i feeds level i-1, ~ r^(i+1)/(i+1)!.
      double gain = (double)a[j] * b[i][j];
      double fact = 1;
      for (int q = 0; q < i; q++) gain *= max<long long>(p[q][j], 0);
      for (int q = 1; q <= i + 1; q++) fact *= q;
      gain *= pow(r, i + 1) / fact;
      double ratio = gain / (double)cost;
      if (ratio > best) { best = ratio; bi = i; bj = j; }
    }
    if (bi >= 0) {
      apples -= (__int128)c[bi][bj] * (p[bi][bj] + 1);
      p[bi][bj]++;
      printf("%d %d\n", bi, bj);
    } else {
      printf("-1\n");
    }
    for (int i = 0; i < l; i++) for (int j = 0; j < n; j++) {
      if (i == 0) apples += (__int128)a[j] * b[0][j] * p[0][j];
      else b[i - 1][j] += b[i][j] * p[i][j];
    }
  }
}
