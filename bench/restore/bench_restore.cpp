/* bench-restore: how fast publishing comes back after an RTMP server
 * restart, with autorestoresink and with what users script today.
 *
 *   meson devenv -C build ./bench/restore/bench-restore [rounds] [outage-ms]
 *
 * outage-ms 0 (the default) varies the outage from round to round.
 *
 * Each round: the server is killed (-9), stays down for the outage, is
 * started again; the clock starts when its port accepts connections, a
 * viewer (rtmp2src ! flvdemux ! h264parse ! avdec_h264) connects at once,
 * and the clock stops at the first decoded frame. The same rounds run for
 * (a) autorestoresink with its defaults, fed by a thread that pushes raw
 * 30 fps frames straight into its video pad and times every push (the
 * upstream stall), and (b) a shell loop restarting gst-launch-1.0 with
 * flvmux ! rtmp2sink after one second, the usual script.
 *
 *   meson devenv -C build ./bench/restore/bench-restore at-server [rounds]
 *       [no-loop]
 *
 * measures at the server instead (issue 14, "restore at the limit"): the
 * publishers reach nginx-rtmp through a TCP gate of this program, the
 * server's port. An outage closes the gate (connects refused, every
 * connection reset, as a killed server does); the clock starts when the
 * gate listens again and stops when a client sends the RTMP publish
 * command through it. Then a 10 s outage with the port dead and a 10 s
 * outage with a server that accepts and resets every connection, counting
 * the connection attempts each publisher makes.
 *
 *   meson devenv -C build ./bench/restore/bench-restore at-nginx [rounds]
 *
 * times the same at the server without a relay in the path: nginx-rtmp is
 * killed and started again, the clock runs from its port's first accept
 * to its on_publish HTTP notification (sent when the publish command
 * arrives).
 *
 *   meson devenv -C build ./bench/restore/bench-restore garbage [retries]
 *       [silent]
 *
 * runs autorestoresink (connect-timeout=300 restore-interval=50) against a
 * server that sends random bytes after accept (issue 14: rtmp2 parses
 * them, allocating what they claim) for `retries` failed connects (default
 * 60), and prints the process's fds, threads and RSS (after malloc_trim)
 * after the 5th retry and at the end, and the longest gap between two
 * retries. `silent`: the server accepts and says nothing instead (each
 * connect ends at connect-timeout), to tell rtmp2's parser from the rest. */
#include "fixtures/hostile.h"
#include "fixtures/rawfeed.h"
#include "fixtures/servers.h"

#include "fixtures/process.h"

#include <gst/gst.h>
#include <gst/video/video.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <malloc.h>
#include <random>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace std::chrono;

static GstElement *
launch (const std::string & d)
{
  GError *e = nullptr;
  GstElement *p = gst_parse_launch (d.c_str (), &e);
  if (e) {
    std::fprintf (stderr, "%s\n", e->message);
    g_error_free (e);
  }
  return p;
}

/* Time from now to the first decoded frame at a new viewer; -1 on
 * timeout. */
static double
viewer_first_frame_ms (const std::string & url, steady_clock::time_point t0,
    milliseconds timeout)
{
  GstElement *p = launch ("rtmp2src location=" + url + " ! flvdemux name=d "
      "d.video ! queue ! h264parse ! avdec_h264 ! fakesink name=v sync=false");
  std::atomic<bool> got {false};
  steady_clock::time_point when;
  struct Ctx { std::atomic<bool> *got; steady_clock::time_point *when; } ctx {&got, &when};
  GstElement *v = gst_bin_get_by_name (GST_BIN (p), "v");
  GstPad *pad = gst_element_get_static_pad (v, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad *, GstPadProbeInfo *, gpointer d) {
        auto *c = static_cast<Ctx *>(d);
        if (!c->got->load ()) {
          *c->when = steady_clock::now ();
          c->got->store (true);
        }
        return GST_PAD_PROBE_OK;
      }, &ctx, nullptr);
  gst_object_unref (pad);
  gst_object_unref (v);
  gst_element_set_state (p, GST_STATE_PLAYING);
  auto end = steady_clock::now () + timeout;
  while (!got && steady_clock::now () < end)
    std::this_thread::sleep_for (milliseconds (1));
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  if (!got)
    return -1;
  return duration_cast<microseconds> (when - t0).count () / 1000.0;
}

static void
summary (const char *name, std::vector<double> v)
{
  std::vector<double> ok;
  for (double x : v)
    if (x >= 0)
      ok.push_back (x);
  std::sort (ok.begin (), ok.end ());
  if (ok.empty ()) {
    std::printf ("%-34s no round restored\n", name);
    return;
  }
  std::printf ("%-34s median %7.1f ms  worst %7.1f ms  best %7.1f ms  "
      "(%zu/%zu rounds restored)\n", name, ok[ok.size () / 2], ok.back (),
      ok.front (), ok.size (), v.size ());
}

struct Pusher
{
  std::unique_ptr<fixtures::RawVideoFeed> feed;
  std::atomic<bool> run {true};
  std::atomic<long long> worst_us {0};
  std::thread thread;

  void start (GstElement * ars)
  {
    feed = std::make_unique<fixtures::RawVideoFeed> (ars, "video", 640, 360);
    thread = std::thread ([this] { loop (); });
  }
  void loop ()
  {
    feed->begin ();
    auto next = steady_clock::now ();
    for (guint64 i = 0; run; i++) {
      auto t0 = steady_clock::now ();
      feed->push (i);
      long long us = duration_cast<microseconds> (steady_clock::now () - t0).count ();
      if (us > worst_us)
        worst_us = us;
      next += microseconds (33333);
      std::this_thread::sleep_until (next);
    }
  }
  void stop ()
  {
    run = false;
    thread.join ();
    feed.reset ();
  }
};

/* The publishers' view of the server: a TCP gate on its own port in front
 * of nginx-rtmp, run by one thread. Open: connections are forwarded.
 * Closed: nothing listens (connects refused) and every forwarded
 * connection is reset. Refusing: every connection is accepted and reset at
 * once. Records the time of the first RTMP publish command (AMF0 string
 * "publish") after each opening, and counts accepts. */
/* The first of `times` at or after `from`, into `when`. */
static bool
first_from (const std::vector<steady_clock::time_point> &times,
            steady_clock::time_point from, steady_clock::time_point &when)
{
  for (auto t : times)
    if (t >= from) {
      when = t;
      return true;
    }
  return false;
}

/* 127.0.0.1:port */
static sockaddr_in
loopback (int port)
{
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  a.sin_port = htons (port);
  return a;
}

class Gate
{
public:
  enum class Mode { Closed, Open, Refusing };

  explicit Gate (int backend_port) : backend_ (backend_port)
  {
    port_ = fixtures::free_port ();
    thread_ = std::thread ([this] { run (); });
    set (Mode::Open);
  }
  ~Gate ()
  {
    stop_ = true;
    thread_.join ();
  }
  int port () const { return port_; }
  std::string url (const std::string &stream) const
  {
    return "rtmp://127.0.0.1:" + std::to_string (port_) + "/live/" + stream;
  }
  /* Returns once the gate is in `m` (listening when open). */
  steady_clock::time_point set (Mode m)
  {
    want_ = m;
    while (is_ != m)
      std::this_thread::sleep_for (microseconds (200));
    return changed_at_;
  }
  /* The first publish command after `after`, or nullopt. */
  bool publish_after (steady_clock::time_point after,
                      steady_clock::time_point &when)
  {
    std::lock_guard<std::mutex> g (lock_);
    return first_from (publishes_, after, when);
  }
  long accepts () const { return accepts_; }

private:
  struct Pair
  {
    int client, server;
    std::string tail;
  };

  void reset_all ()
  {
    for (auto &p : pairs_) {
      linger l{ 1, 0 };
      setsockopt (p.client, SOL_SOCKET, SO_LINGER, &l, sizeof (l));
      close (p.client);
      close (p.server);
    }
    pairs_.clear ();
  }
  void apply ()
  {
    Mode m = want_;
    if (m == is_)
      return;
    if (m == Mode::Closed) {
      if (listen_ >= 0)
        close (listen_);
      listen_ = -1;
      reset_all ();
    } else if (listen_ < 0) {
      listen_ = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt (listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one));
      sockaddr_in a = loopback (port_);
      if (bind (listen_, (sockaddr *)&a, sizeof (a)) != 0
          || ::listen (listen_, 64) != 0)
        std::fprintf (stderr, "gate: cannot listen on %d\n", port_);
    }
    if (m == Mode::Refusing)
      reset_all ();
    changed_at_ = steady_clock::now ();
    is_ = m;
  }
  void run ()
  {
    std::vector<char> buf (65536);
    while (!stop_) {
      apply ();
      std::vector<pollfd> fds;
      if (listen_ >= 0)
        fds.push_back ({ listen_, POLLIN, 0 });
      for (auto &p : pairs_) {
        fds.push_back ({ p.client, POLLIN, 0 });
        fds.push_back ({ p.server, POLLIN, 0 });
      }
      if (poll (fds.data (), fds.size (), 1) <= 0)
        continue;
      size_t i = 0;
      if (listen_ >= 0 && (fds[i++].revents & POLLIN)) {
        int c = accept4 (listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          accepts_++;
          if (is_ == Mode::Refusing) {
            linger l{ 1, 0 };
            setsockopt (c, SOL_SOCKET, SO_LINGER, &l, sizeof (l));
            close (c);
          } else {
            int sv = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in a = loopback (backend_);
            if (connect (sv, (sockaddr *)&a, sizeof (a)) == 0) {
              /* The gate must add no delay of its own: no Nagle. */
              int one = 1;
              setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
              setsockopt (sv, IPPROTO_TCP, TCP_NODELAY, &one, sizeof (one));
              pairs_.push_back ({ c, sv, {} });
            } else {
              close (sv);
              close (c);
            }
          }
        }
      }
      std::vector<size_t> dead;
      for (size_t k = 0; k < pairs_.size () && i + 1 < fds.size () + 1;
           k++, i += 2) {
        for (int dir = 0; dir < 2; dir++) {
          if (i + dir >= fds.size ()
              || !(fds[i + dir].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          Pair &p = pairs_[k];
          int from = dir == 0 ? p.client : p.server;
          int to = dir == 0 ? p.server : p.client;
          ssize_t n = recv (from, buf.data (), buf.size (), 0);
          if (n <= 0 || send (to, buf.data (), n, MSG_NOSIGNAL) != n) {
            dead.push_back (k);
            break;
          }
          if (dir == 0) {
            /* AMF0 string "publish": 0x02, length 7, the name. */
            static const std::string cmd ("\x02\x00\x07publish", 10);
            std::string hay = p.tail + std::string (buf.data (), n);
            if (hay.find (cmd) != std::string::npos) {
              std::lock_guard<std::mutex> g (lock_);
              publishes_.push_back (steady_clock::now ());
            }
            p.tail = hay.substr (hay.size () > 9 ? hay.size () - 9 : 0);
          }
        }
      }
      std::sort (dead.begin (), dead.end ());
      dead.erase (std::unique (dead.begin (), dead.end ()), dead.end ());
      for (auto it = dead.rbegin (); it != dead.rend (); ++it) {
        close (pairs_[*it].client);
        close (pairs_[*it].server);
        pairs_.erase (pairs_.begin () + *it);
      }
    }
    if (listen_ >= 0)
      close (listen_);
    reset_all ();
  }

  int backend_;
  int port_ = 0;
  int listen_ = -1;
  std::atomic<Mode> want_{ Mode::Closed };
  std::atomic<Mode> is_{ Mode::Closed };
  steady_clock::time_point changed_at_;
  std::atomic<bool> stop_{ false };
  std::atomic<long> accepts_{ 0 };
  std::vector<Pair> pairs_;
  std::mutex lock_;
  std::vector<steady_clock::time_point> publishes_;
  std::thread thread_;
};

static guint64
stat_u64 (GstElement *ars, const char *field)
{
  GstStructure *s = nullptr;
  g_object_get (ars, "statistics", &s, nullptr);
  guint64 v = 0;
  gst_structure_get_uint64 (s, field, &v);
  gst_structure_free (s);
  return v;
}

/* One publisher through a gate: restore delays at the server over
 * `outages`, then attempts per second during a 10 s dead and a 10 s
 * refusing outage. `attempts` counts what the publisher tried on a dead
 * port (nullptr: not measurable from outside). */
struct AtServer
{
  std::vector<double> delays;
  double dead_per_s = -1;
  double refusing_per_s = -1;
};

static AtServer
measure_at_server (Gate &gate, const std::vector<int> &outages,
                   const char *name, const std::function<double ()> &attempts)
{
  AtServer r;
  for (size_t i = 0; i < outages.size (); i++) {
    gate.set (Gate::Mode::Closed);
    std::this_thread::sleep_for (milliseconds (outages[i]));
    auto t0 = gate.set (Gate::Mode::Open);
    steady_clock::time_point when;
    auto end = t0 + seconds (10);
    while (!gate.publish_after (t0, when) && steady_clock::now () < end)
      std::this_thread::sleep_for (milliseconds (1));
    double d = gate.publish_after (t0, when)
                   ? duration_cast<microseconds> (when - t0).count () / 1000.0
                   : -1;
    r.delays.push_back (d);
    std::printf ("  %-16s round %2zu: publish %7.1f ms after the port "
                 "accepts (outage %d ms)\n",
                 name, i + 1, d, outages[i]);
    std::fflush (stdout);
    /* Publishing for a moment before the next outage. */
    std::this_thread::sleep_for (milliseconds (700));
  }
  if (attempts) {
    gate.set (Gate::Mode::Closed);
    double a0 = attempts ();
    std::this_thread::sleep_for (seconds (10));
    r.dead_per_s = (attempts () - a0) / 10.0;
  }
  gate.set (Gate::Mode::Refusing);
  long c0 = gate.accepts ();
  std::this_thread::sleep_for (seconds (10));
  r.refusing_per_s = (gate.accepts () - c0) / 10.0;
  gate.set (Gate::Mode::Open);
  return r;
}

static int
run_at_server (int rounds, bool with_loop)
{
  std::vector<int> outages;
  std::mt19937 rng (42);
  for (int r = 0; r < rounds; r++)
    outages.push_back (200 + (int)(rng () % 1601));
  std::printf ("bench-restore at-server: %d rounds, port down 200..1800 ms "
               "(seeded), publish command timed at the server\n",
               rounds);
  fixtures::NginxRtmp server;
  AtServer ars_r, loop_r;
  {
    Gate gate (server.rtmp_port ());
    GstElement *pipe = gst_pipeline_new (nullptr);
    GstElement *ars = gst_element_factory_make ("autorestoresink", nullptr);
    g_object_set (ars, "location", gate.url ("bench").c_str (), nullptr);
    gst_bin_add (GST_BIN (pipe), ars);
    Pusher pusher;
    pusher.start (ars);
    gst_element_set_state (pipe, GST_STATE_PLAYING);
    std::this_thread::sleep_for (milliseconds (1500));
    ars_r = measure_at_server (gate, outages, "autorestoresink", [ars] {
      return (double)(stat_u64 (ars, "probes") + stat_u64 (ars, "retries"));
    });
    pusher.stop ();
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (pipe);
  }
  if (with_loop) {
    Gate gate (server.rtmp_port ());
    std::string cmd
        = "while true; do gst-launch-1.0 -q videotestsrc "
          "is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 ! "
          "x264enc tune=zerolatency speed-preset=veryfast key-int-max=60 "
          "bitrate=2000 ! flvmux streamable=true ! rtmp2sink location="
          + gate.url ("loop") + " >/dev/null 2>&1; sleep 1; done";
    fixtures::ChildProcess script ({ "sh", "-c", cmd });
    std::this_thread::sleep_for (milliseconds (2500));
    loop_r = measure_at_server (gate, outages, "restart loop", nullptr);
    ::kill (-script.pid (), SIGKILL);
  }
  summary ("autorestoresink (defaults)", ars_r.delays);
  if (with_loop)
    summary ("gst-launch restart loop (sleep 1)", loop_r.delays);
  std::printf (
      "10 s outage, port dead: autorestoresink %.1f attempts/s "
      "(TCP probes + publish attempts); restart loop 1 launch per ~1 s\n",
      ars_r.dead_per_s);
  std::printf ("10 s outage, server accepting and resetting: "
               "autorestoresink %.1f connections/s, restart loop %.1f "
               "connections/s\n",
               ars_r.refusing_per_s, loop_r.refusing_per_s);
  return 0;
}

static long
count_dir (const char *path)
{
  long n = 0;
  if (DIR *d = opendir (path)) {
    while (struct dirent *e = readdir (d))
      n += e->d_name[0] != '.';
    closedir (d);
  }
  return n;
}

static long
rss_kib ()
{
  malloc_trim (0);
  std::ifstream f ("/proc/self/status");
  std::string line;
  while (std::getline (f, line))
    if (line.rfind ("VmRSS:", 0) == 0)
      return std::atol (line.c_str () + 6);
  return -1;
}

static void
drop_log (const gchar *, GLogLevelFlags, const gchar *, gpointer)
{
}

/* nginx-rtmp's on_publish target: the time of every POST (nginx sends it
 * when the publish command arrives, before answering it). */
class PublishNotices
{
public:
  PublishNotices ()
  {
    fd_ = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback (0);
    socklen_t len = sizeof (a);
    bind (fd_, (sockaddr *)&a, sizeof (a));
    ::listen (fd_, 16);
    getsockname (fd_, (sockaddr *)&a, &len);
    port_ = ntohs (a.sin_port);
    thread_ = std::thread ([this] { run (); });
  }
  ~PublishNotices ()
  {
    stop_ = true;
    thread_.join ();
    close (fd_);
  }
  std::string url () const
  {
    return "http://127.0.0.1:" + std::to_string (port_) + "/publish";
  }
  bool after (steady_clock::time_point t0, steady_clock::time_point &when)
  {
    std::lock_guard<std::mutex> g (lock_);
    return first_from (times_, t0, when);
  }

private:
  void run ()
  {
    while (!stop_) {
      pollfd p{ fd_, POLLIN, 0 };
      if (poll (&p, 1, 20) <= 0)
        continue;
      int c = accept4 (fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      auto t = steady_clock::now ();
      {
        std::lock_guard<std::mutex> g (lock_);
        times_.push_back (t);
      }
      /* The request (headers and a small form body), then 200. */
      char buf[4096];
      pollfd q{ c, POLLIN, 0 };
      while (poll (&q, 1, 5) > 0 && recv (c, buf, sizeof (buf), 0) > 0)
        ;
      const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n";
      send (c, ok, sizeof (ok) - 1, MSG_NOSIGNAL);
      close (c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{ false };
  std::mutex lock_;
  std::vector<steady_clock::time_point> times_;
  std::thread thread_;
};

/* The first moment 127.0.0.1:port accepts a connection (polled every
 * 0.2 ms from the call). */
static steady_clock::time_point
first_accept (int port, const std::atomic<bool> &give_up)
{
  while (!give_up) {
    int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback (port);
    bool ok = connect (s, (sockaddr *)&a, sizeof (a)) == 0;
    auto t = steady_clock::now ();
    close (s);
    if (ok)
      return t;
    std::this_thread::sleep_for (microseconds (200));
  }
  return steady_clock::now ();
}

/* Restore delay with no relay in the path: nginx-rtmp killed (-9) and
 * started again on its port, the clock from the port's first accept to
 * nginx's on_publish POST. A relay (the at-server gate) terminates TCP, so
 * nginx's writes are ACKed by the relay, not by the publisher: what the
 * publisher's own ACKs do is only visible without one. */
static int
run_at_nginx (int rounds)
{
  std::vector<int> outages;
  std::mt19937 rng (42);
  for (int r = 0; r < rounds; r++)
    outages.push_back (200 + (int)(rng () % 1601));
  std::printf ("bench-restore at-nginx: %d rounds, nginx-rtmp killed and "
               "started again after 200..1800 ms (seeded), publish timed by "
               "nginx's on_publish\n",
               rounds);
  PublishNotices notices;
  fixtures::NginxRtmp::Options o;
  o.on_publish = notices.url ();
  fixtures::NginxRtmp server (o);
  GstElement *pipe = gst_pipeline_new (nullptr);
  GstElement *ars = gst_element_factory_make ("autorestoresink", nullptr);
  g_object_set (ars, "location", server.url ("live", "bench").c_str (),
                nullptr);
  gst_bin_add (GST_BIN (pipe), ars);
  Pusher pusher;
  pusher.start (ars);
  gst_element_set_state (pipe, GST_STATE_PLAYING);
  std::this_thread::sleep_for (milliseconds (1500));
  std::vector<double> delays;
  for (int r = 0; r < rounds; r++) {
    server.kill9 ();
    std::this_thread::sleep_for (milliseconds (outages[r]));
    std::atomic<bool> done{ false };
    steady_clock::time_point t0;
    std::thread poller ([&] { t0 = first_accept (server.rtmp_port (), done); });
    server.start ();
    std::this_thread::sleep_for (milliseconds (5));
    done = true;
    poller.join ();
    steady_clock::time_point when;
    const auto end = t0 + seconds (10);
    while (!notices.after (t0, when) && steady_clock::now () < end)
      std::this_thread::sleep_for (milliseconds (1));
    double d = notices.after (t0, when)
                   ? duration_cast<microseconds> (when - t0).count () / 1000.0
                   : -1;
    delays.push_back (d);
    std::printf ("  round %2d: publish %7.1f ms after the port accepts "
                 "(outage %d ms)\n",
                 r + 1, d, outages[r]);
    std::fflush (stdout);
    std::this_thread::sleep_for (milliseconds (700));
  }
  pusher.stop ();
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (pipe);
  summary ("autorestoresink (defaults)", delays);
  return 0;
}

/* Failed connects against a garbage server: nothing may pile up. */
static int
run_garbage (int retries, bool silent)
{
  /* rtmp2 logs a CRITICAL per garbage chunk it cannot parse. */
  g_log_set_handler (nullptr, G_LOG_LEVEL_CRITICAL, drop_log, nullptr);
  fixtures::HostileServer srv (silent ? fixtures::HostileServer::Mode::Silent
                                      : fixtures::HostileServer::Mode::Garbage);
  srv.listen ();
  GstElement *p = launch (
      "videotestsrc is-live=true ! "
      "video/x-raw,width=160,height=120,framerate=30/1 ! ars.video "
      "autorestoresink name=ars connect-timeout=300 restore-interval=50 "
      "restore-max-tries=-1 location="
      + srv.rtmp_url ("key"));
  GstElement *ars = gst_bin_get_by_name (GST_BIN (p), "ars");
  gst_element_set_state (p, GST_STATE_PLAYING);
  std::printf ("bench-restore garbage: %d failed connects against a server "
               "%s\n",
               retries,
               silent ? "that says nothing" : "sending random bytes");
  guint64 seen = 0;
  long fd0 = -1, th0 = -1, rss0 = -1;
  double longest = 0;
  auto last = steady_clock::now ();
  const auto give_up = last + seconds (30 + retries * 10);
  GstBus *bus = gst_element_get_bus (p);
  while ((int)seen < retries && steady_clock::now () < give_up) {
    std::this_thread::sleep_for (milliseconds (10));
    /* Nobody watches this bus: its messages (a retry message per
     * retry, ...) would pile up there. */
    while (GstMessage *m = gst_bus_pop (bus))
      gst_message_unref (m);
    guint64 r = stat_u64 (ars, "retries");
    if (r == seen)
      continue;
    auto now = steady_clock::now ();
    if (seen > 0)
      longest = std::max (
          longest, duration_cast<microseconds> (now - last).count () / 1000.0);
    last = now;
    seen = r;
    if (seen % 50 == 0)
      std::printf ("  retry %3" G_GUINT64_FORMAT ": fds %ld threads %ld RSS %ld "
                   "KiB\n",
                   seen, count_dir ("/proc/self/fd"),
                   count_dir ("/proc/self/task"), rss_kib ());
    if (seen >= 5 && fd0 < 0) {
      fd0 = count_dir ("/proc/self/fd");
      th0 = count_dir ("/proc/self/task");
      rss0 = rss_kib ();
    }
  }
  long fd1 = count_dir ("/proc/self/fd"), th1 = count_dir ("/proc/self/task"),
       rss1 = rss_kib ();
  std::printf ("retries %" G_GUINT64_FORMAT " (server accepted %zu), longest "
               "gap between two retries %.0f ms\n",
               seen, srv.accepts (), longest);
  std::printf ("after retry 5: fds %ld threads %ld RSS %ld KiB\n", fd0, th0,
               rss0);
  std::printf ("at the end:    fds %ld threads %ld RSS %ld KiB (%+ld KiB)\n",
               fd1, th1, rss1, rss1 - rss0);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (ars);
  gst_object_unref (p);
  return (int)seen < retries ? 1 : 0;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  if (argc > 1 && std::string (argv[1]) == "at-nginx")
    return run_at_nginx (argc > 2 ? std::atoi (argv[2]) : 20);
  if (argc > 1 && std::string (argv[1]) == "garbage")
    return run_garbage (argc > 2 ? std::atoi (argv[2]) : 60,
                        argc > 3 && std::string (argv[3]) == "silent");
  if (argc > 1 && std::string (argv[1]) == "at-server")
    return run_at_server (argc > 2 ? std::atoi (argv[2]) : 20,
                          !(argc > 3 && std::string (argv[3]) == "no-loop"));
  const int rounds = argc > 1 ? std::atoi (argv[1]) : 20;
  /* 0: a different outage each round, 200..1800 ms, the same sequence for
   * both publishers (so neither lines up with a fixed retry period). */
  const int fixed_outage = argc > 2 ? std::atoi (argv[2]) : 0;
  std::vector<int> outages;
  std::mt19937 rng (42);
  for (int r = 0; r < rounds; r++)
    outages.push_back (fixed_outage > 0 ? fixed_outage
        : 200 + (int) (rng () % 1601));
  if (fixed_outage > 0)
    std::printf ("bench-restore: %d rounds, server down %d ms each\n", rounds,
        fixed_outage);
  else
    std::printf ("bench-restore: %d rounds, server down 200..1800 ms "
        "(seeded)\n", rounds);

  /* (a) autorestoresink, default properties. */
  std::vector<double> ars_ms;
  long long worst_push_us = 0;
  {
    fixtures::NginxRtmp server;
    const std::string url = server.url ("live", "bench");
    GstElement *pipe = gst_pipeline_new (nullptr);
    GstElement *ars = gst_element_factory_make ("autorestoresink", nullptr);
    g_object_set (ars, "location", url.c_str (), nullptr);
    gst_bin_add (GST_BIN (pipe), ars);
    Pusher pusher;
    pusher.start (ars);
    gst_element_set_state (pipe, GST_STATE_PLAYING);
    std::this_thread::sleep_for (milliseconds (1500));
    for (int r = 0; r < rounds; r++) {
      server.kill9 ();
      std::this_thread::sleep_for (milliseconds (outages[r]));
      server.start ();          /* returns once the port accepts */
      auto t0 = steady_clock::now ();
      double ms_ = viewer_first_frame_ms (url, t0, milliseconds (10000));
      ars_ms.push_back (ms_);
      std::printf ("  autorestoresink round %2d: %7.1f ms\n", r + 1, ms_);
      std::fflush (stdout);
    }
    worst_push_us = pusher.worst_us;
    pusher.stop ();
    gst_element_set_state (pipe, GST_STATE_NULL);
    gst_object_unref (pipe);
  }

  /* (b) what users script today. */
  std::vector<double> loop_ms;
  {
    fixtures::NginxRtmp server;
    const std::string url = server.url ("live", "bench");
    std::string cmd = "while true; do gst-launch-1.0 -q videotestsrc "
        "is-live=true ! video/x-raw,width=640,height=360,framerate=30/1 ! "
        "x264enc tune=zerolatency speed-preset=veryfast key-int-max=60 "
        "bitrate=2000 ! flvmux streamable=true ! rtmp2sink location=" + url
        + " >/dev/null 2>&1; sleep 1; done";
    fixtures::ChildProcess script ({"sh", "-c", cmd});
    std::this_thread::sleep_for (milliseconds (2500));
    for (int r = 0; r < rounds; r++) {
      server.kill9 ();
      std::this_thread::sleep_for (milliseconds (outages[r]));
      server.start ();
      auto t0 = steady_clock::now ();
      double ms_ = viewer_first_frame_ms (url, t0, milliseconds (10000));
      loop_ms.push_back (ms_);
      std::printf ("  restart loop    round %2d: %7.1f ms\n", r + 1, ms_);
      std::fflush (stdout);
    }
    /* The shell and its gst-launch child: kill the process group. */
    ::kill (-script.pid (), SIGKILL);
  }
  summary ("autorestoresink (defaults)", ars_ms);
  summary ("gst-launch restart loop (sleep 1)", loop_ms);
  std::printf ("longest upstream push during the outages: %.3f ms "
      "(frame interval 33.3 ms)\n", worst_push_us / 1000.0);
  return 0;
}
