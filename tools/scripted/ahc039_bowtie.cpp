// AHC039, an illegal answer: a polygon whose edges cross (and that is not even axis-parallel).
#include <cstdio>
int main() {
  puts("4");
  puts("10000 10000");
  puts("90000 90000");
  puts("90000 10000");
  puts("10000 90000");
}
