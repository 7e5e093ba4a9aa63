#include "failover_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>

namespace bench {

using Clock = std::chrono::steady_clock;

TcpRelay::TcpRelay (int upstream_port) : upstream_ (upstream_port)
{
  listen_fd_ = socket (AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (listen_fd_ < 0 || bind (listen_fd_, (sockaddr *)&a, sizeof a) < 0
      || listen (listen_fd_, 16) < 0
      || getsockname (listen_fd_, (sockaddr *)&a, &len) < 0)
    throw std::runtime_error ("relay: cannot listen on 127.0.0.1");
  port_ = ntohs (a.sin_port);
  acceptor_ = std::thread ([this] { accept_loop (); });
}

TcpRelay::~TcpRelay ()
{
  quit_ = true;
  shutdown (listen_fd_, SHUT_RDWR);
  acceptor_.join ();
  drop_all ();
  for (auto &t : threads_)
    t.join ();
  for (int fd : fds_)
    close (fd);
  close (listen_fd_);
}

void
TcpRelay::drop_all ()
{
  std::lock_guard<std::mutex> g (lock_);
  for (int fd : fds_)
    shutdown (fd, SHUT_RDWR);
}

void
TcpRelay::accept_loop ()
{
  while (!quit_) {
    pollfd p{ listen_fd_, POLLIN, 0 };
    if (poll (&p, 1, 100) <= 0)
      continue;
    int c = accept (listen_fd_, nullptr, nullptr);
    if (c < 0)
      continue;
    int s = socket (AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    a.sin_port = htons (upstream_);
    if (connect (s, (sockaddr *)&a, sizeof a) < 0) {
      close (c);
      close (s);
      continue;
    }
    int one = 1;
    setsockopt (c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt (s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard<std::mutex> g (lock_);
    fds_.push_back (c);
    fds_.push_back (s);
    threads_.emplace_back ([this, c, s] {
      pump (c, s, false);
      shutdown (s, SHUT_RDWR);
    });
    threads_.emplace_back ([this, c, s] {
      pump (s, c, true);
      shutdown (c, SHUT_RDWR);
    });
  }
}

namespace {
struct Chunk
{
  Clock::time_point due;
  std::string bytes;
};
} // namespace

/* Reads `from`, writes `to`; the impaired direction delays and holds. */
void
TcpRelay::pump (int from, int to, bool impaired)
{
  std::mt19937 rng (from * 7919 + 17);
  std::uniform_int_distribution<int> every (5000, 20000);
  std::deque<Chunk> q;
  Clock::time_point last_due{};
  Clock::time_point hold_at
      = Clock::now () + std::chrono::milliseconds (every (rng));
  char buf[16384];
  while (!quit_) {
    auto now = Clock::now ();
    if (impaired && hold_ms_ > 0 && now >= hold_at) {
      /* Nothing is delivered until the hold ends. */
      last_due = std::max (last_due,
                           now + std::chrono::milliseconds (hold_ms_.load ()));
      for (auto &c : q)
        c.due = std::max (c.due, last_due);
      hold_at = now + std::chrono::milliseconds (every (rng));
      holds_made_++;
    }
    while (!black_hole_ && !q.empty () && q.front ().due <= now) {
      if (write (to, q.front ().bytes.data (), q.front ().bytes.size ()) < 0)
        return;
      q.pop_front ();
    }
    int wait = 5;
    if (!q.empty ())
      wait = (int)std::clamp<long> (
          std::chrono::duration_cast<std::chrono::milliseconds> (q.front ().due
                                                                 - now)
              .count (),
          0, 5);
    pollfd p{ from, (short)(black_hole_ ? 0 : POLLIN), 0 };
    int r = poll (&p, 1, std::max (wait, 1));
    if (r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = read (from, buf, sizeof buf);
      if (n <= 0)
        return;
      Clock::time_point due = Clock::now ();
      long j = impaired ? jitter_ms_.load () : 0;
      if (j > 0)
        due += std::chrono::milliseconds (
            std::uniform_int_distribution<long> (0, 2 * j) (rng));
      due = std::max (due, last_due);
      last_due = due;
      q.push_back ({ due, std::string (buf, (size_t)n) });
    }
  }
}

} // namespace bench
