// AHC039, a mediocre solver: the same square in the middle of the sea for every case.
#include <cstdio>
int main() {
  puts("4");
  puts("35000 35000");
  puts("65000 35000");
  puts("65000 65000");
  puts("35000 65000");
}
