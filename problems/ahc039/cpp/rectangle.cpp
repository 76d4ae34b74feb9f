// AHC039: the best axis-parallel rectangle on a 50 x 50 grid of cells weighted by
// mackerels - sardines (2-D Kadane over row pairs).
#include <bits/stdc++.h>
using namespace std;
int main() {
  const int G = 50, SIDE = 100000;
  int n;
  cin >> n;
  vector<vector<int>> w(G, vector<int>(G, 0));
  for (int i = 0; i < 2 * n; i++) {
    int x, y;
    cin >> x >> y;
    int cx = min(G - 1, (int)((long long)x * G / SIDE)), cy = min(G - 1, (int)((long long)y * G / SIDE));
    w[cy][cx] += i < n ? 1 : -1;
  }
  int best = INT_MIN, bx0 = 0, bx1 = 0, by0 = 0, by1 = 0;
  for (int y0 = 0; y0 < G; y0++) {
    vector<int> col(G, 0);
    for (int y1 = y0; y1 < G; y1++) {
      for (int x = 0; x < G; x++) col[x] += w[y1][x];
      int run = 0, from = 0;
      for (int x = 0; x < G; x++) {
        if (run <= 0) { run = col[x]; from = x; } else run += col[x];
        if (run > best) { best = run; bx0 = from; bx1 = x; by0 = y0; by1 = y1; }
      }
    }
  }
  auto line = [&](int k) { return (int)llround((double)k * SIDE / G); };
  int x0 = line(bx0), x1 = line(bx1 + 1), y0 = line(by0), y1 = line(by1 + 1);
  printf("4\n%d %d\n%d %d\n%d %d\n%d %d\n", x0, y0, x1, y0, x1, y1, x0, y1);
}
