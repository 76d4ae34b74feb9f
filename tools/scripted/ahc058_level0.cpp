// AHC058, a mediocre solver: only ever strengthens level-0 machines, the cheapest affordable one.
#include <cstdio>
int main() {
  int n, l, t;
  long long k;
  if (scanf("%d %d %d %lld", &n, &l, &t, &k) != 4) return 1;
  long long a[10], c[4][10], p[10] = {0};
  for (int j = 0; j < n; j++) scanf("%lld", &a[j]);
  for (int i = 0; i < l; i++) for (int j = 0; j < n; j++) scanf("%lld", &c[i][j]);
  __int128 apples = k;
  for (int turn = 0; turn < t; turn++) {
    int best = -1;
    __int128 bestCost = 0;
    for (int j = 0; j < n; j++) {
      __int128 cost = (__int128)c[0][j] * (p[j] + 1);
      if (cost <= apples && (best < 0 || cost < bestCost)) best = j, bestCost = cost;
    }
    if (best >= 0) {
      apples -= bestCost;
      p[best]++;
      printf("0 %d\n", best);
    } else {
      printf("-1\n");
    }
    for (int j = 0; j < n; j++) apples += (__int128)a[j] * p[j];
  }
  fprintf(stderr, "level-0 only\n");
}
