/* Copied from ../shared/bench/agi-drive.c. Changes: it reports the time of the first command
 * and the program's peak RSS (wait4's ru_maxrss, i.e. its VmHWM) and CPU time (ru_utime +
 * ru_stime: less sensitive to a loaded machine than the wall clock), prints its result on
 * stdout instead of appending to a file (-o), and can hold the call inside EXEC Queue/Dial
 * (-H) as a real call waiting in a queue does.
 *
 * agi-drive: plays Asterisk's side of ONE agi-bin call against a per-call AGI program over its
 * stdin/stdout, like Asterisk does (env block, then one reply per command), with a tiny fixed
 * overhead (no interpreter). The caller presses 1 during the welcome; the queue is answered by
 * PJSIP/150 after 3 s wait, 42 s talk.
 *   agi-drive [-u UNIQUEID] [-H] CMD [ARG...]
 * prints "first_ms released_ms exited_ms commands rc maxrss_kib cpu_ms" on stdout, times from the
 * fork: first = the first command arrived; released = the program closed its stdout, i.e.
 * Asterisk would continue the dialplan; exited = the process was reaped.
 * -H: at the first EXEC Queue or EXEC Dial, print "held PID" on stdout and answer only once
 * our own stdin reaches EOF (the caller waits in the queue until then).
 * Exit status: the program's. Its stderr goes to /dev/null (set AGI_DRIVE_STDERR=FILE to keep it). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <fcntl.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/resource.h>

static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
static int wfd;
static void put(const char *s) { size_t n = strlen(s); while (n) { ssize_t w = write(wfd, s, n); if (w <= 0) return; s += w; n -= w; } }

int main(int argc, char **argv) {
  const char *uid = NULL; int i = 1, hold = 0;
  while (i < argc && argv[i][0] == '-') {
    if (!strcmp(argv[i], "-u") && i + 1 < argc) { uid = argv[i + 1]; i += 2; }
    else if (!strcmp(argv[i], "-H")) { hold = 1; i++; }
    else if (!strcmp(argv[i], "--")) { i++; break; }
    else break;
  }
  if (i >= argc) { fprintf(stderr, "usage: agi-drive [-u UNIQUEID] [-H] CMD [ARG...]\n"); return 2; }
  char uidbuf[64];
  if (!uid) { struct timespec t; clock_gettime(CLOCK_REALTIME, &t); snprintf(uidbuf, sizeof uidbuf, "%ld.%d%03ld", (long)t.tv_sec, getpid(), t.tv_nsec / 1000000); uid = uidbuf; }
  signal(SIGPIPE, SIG_IGN);
  double t0 = now_ms();
  int in[2], outp[2];
  if (pipe(in) || pipe(outp)) { perror("pipe"); return 1; }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0); dup2(outp[1], 1);
    const char *ef = getenv("AGI_DRIVE_STDERR");
    int e = open(ef ? ef : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644); if (e >= 0) dup2(e, 2);
    close(in[0]); close(in[1]); close(outp[0]); close(outp[1]);
    signal(SIGPIPE, SIG_DFL);
    execvp(argv[i], argv + i); _exit(127);
  }
  close(in[0]); close(outp[1]); wfd = in[1];
  char env[2048];
  snprintf(env, sizeof env,
    "agi_request: /var/lib/asterisk/agi-bin/ivr\nagi_channel: PJSIP/trunk-00000001\nagi_language: en\nagi_type: PJSIP\n"
    "agi_uniqueid: %s\nagi_version: 22.11.0-rc1\nagi_callerid: +66812345678\nagi_calleridname: Test Caller\n"
    "agi_callingpres: 0\nagi_callingani2: 0\nagi_callington: 0\nagi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\n"
    "agi_context: from-external\nagi_extension: 0212345678\nagi_priority: 1\nagi_enhanced: 0.0\nagi_accountcode: \n"
    "agi_threadid: 140604279166656\n\n", uid);
  put(env);
  FILE *r = fdopen(outp[0], "r");
  char line[4096]; int n = 0, pressed = 0, up = 0; double first = -1;
  while (fgets(line, sizeof line, r)) {
    size_t L = strlen(line); while (L && (line[L - 1] == '\n' || line[L - 1] == '\r')) line[--L] = 0;
    if (!L) continue;
    n++;
    if (first < 0) first = now_ms() - t0;
    const char *rep = "510 Invalid or unknown command\n";
    if (!strncasecmp(line, "ANSWER", 6)) { up = 1; rep = "200 result=0\n"; }
    else if (!strncasecmp(line, "STREAM FILE", 11) || !strncasecmp(line, "GET OPTION", 10)) {
      if (!pressed && strchr(line, '"') && strchr(strchr(line, '"'), '1')) { pressed = 1; rep = "200 result=49 endpos=4000\n"; }
      else rep = "200 result=0 endpos=16000\n";
    }
    else if (!strncasecmp(line, "WAIT FOR DIGIT", 14)) rep = "200 result=0\n";
    else if (!strncasecmp(line, "EXEC", 4)) {
      int waits = strcasestr(line, "EXEC Queue") || strcasestr(line, "EXEC Dial");
      if (waits && hold) {
        hold = 0; printf("held %d\n", (int)pid); fflush(stdout);
        char sink[256]; while (read(0, sink, sizeof sink) > 0) {}
      }
      rep = waits ? "200 result=-1\n" : "200 result=0\n";
    }
    else if (!strncasecmp(line, "GET FULL VARIABLE", 17)) rep = "200 result=1 (+66812345678)\n";
    else if (!strncasecmp(line, "GET VARIABLE", 12)) {
      if (strstr(line, "MEMBERINTERFACE")) rep = "200 result=1 (PJSIP/150)\n";
      else if (strstr(line, "ANSWEREDTIME")) rep = "200 result=1 (42)\n";
      else if (strstr(line, "QUEUEWAIT")) rep = "200 result=1 (3)\n";
      else if (strstr(line, "CALLERID(num)")) rep = "200 result=1 (+66812345678)\n";
      else rep = "200 result=0\n";
    }
    else if (!strncasecmp(line, "CHANNEL STATUS", 14)) rep = up ? "200 result=6\n" : "200 result=4\n";
    else if (!strncasecmp(line, "VERBOSE", 7)) rep = "200 result=1\n";
    else if (!strncasecmp(line, "SET VARIABLE", 12)) rep = "200 result=1\n";
    else if (!strncasecmp(line, "SET ", 4) || !strncasecmp(line, "NOOP", 4)) rep = "200 result=0\n";
    else if (!strncasecmp(line, "HANGUP", 6)) rep = "200 result=1\n";
    put(rep);
  }
  double released = now_ms() - t0;
  close(wfd); fclose(r);
  int st = 0; struct rusage ru; memset(&ru, 0, sizeof ru); wait4(pid, &st, 0, &ru);
  double exited = now_ms() - t0;
  int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  printf("%.3f %.3f %.3f %d %d %ld %.3f\n", first, released, exited, n, rc, ru.ru_maxrss, cpu);
  return rc;
}
