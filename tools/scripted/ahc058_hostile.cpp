// AHC058, hostile: looks for host files, tries to write outside its folder, to fork and to reach the
// network, then answers with an illegal plan (level 9).
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
int main() {
  FILE *f = fopen("/etc/passwd", "r");
  fprintf(stderr, "passwd %s\n", f ? "readable" : "hidden");
  FILE *w = fopen("/work/pwned", "w");
  fprintf(stderr, "write %s\n", w ? "allowed" : "refused");
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(80);
  inet_pton(AF_INET, "1.1.1.1", &addr.sin_addr);
  fprintf(stderr, "net %s\n", s >= 0 && connect(s, (sockaddr *)&addr, sizeof addr) == 0 ? "open" : "closed");
  for (int i = 0; i < 200; i++) if (fork() == 0) { sleep(30); _exit(0); }
  for (int i = 0; i < 500; i++) puts("9 9");
}
