/* A userspace TCP relay on 127.0.0.1 that impairs one direction (the
 * server's answer to the player) the way a bad network does, for the
 * failoversrc benchmark (this kernel has no netem, see TESTBED.md):
 *   jitter   every chunk read from the server is delayed by a random
 *            0..2*mean ms and delivered in order (TCP keeps order, so a
 *            late chunk holds the ones behind it);
 *   holds    every 5 to 20 s (random) nothing is delivered for `hold` ms,
 *            then everything held arrives at once (a TCP retransmission);
 *   black hole  nothing is forwarded either way, connections stay open.
 * One thread per direction per connection; everything stops in the
 * destructor. */
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

class TcpRelay
{
public:
  /* Listens on a free 127.0.0.1 port and forwards to `upstream_port`. */
  explicit TcpRelay (int upstream_port);
  ~TcpRelay ();
  TcpRelay (const TcpRelay &) = delete;
  TcpRelay &operator= (const TcpRelay &) = delete;

  int port () const { return port_; }
  void set_jitter (std::chrono::milliseconds mean)
  {
    jitter_ms_ = mean.count ();
  }
  void set_holds (std::chrono::milliseconds hold) { hold_ms_ = hold.count (); }
  void set_black_hole (bool on) { black_hole_ = on; }
  /* Closes every relayed connection (the next ones start clean). */
  void drop_all ();
  /* Holds made so far. */
  int holds () const { return holds_made_.load (); }

private:
  void accept_loop ();
  void pump (int from, int to, bool impaired);

  int upstream_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> quit_{ false };
  std::atomic<long> jitter_ms_{ 0 };
  std::atomic<long> hold_ms_{ 0 };
  std::atomic<bool> black_hole_{ false };
  std::atomic<int> holds_made_{ 0 };
  std::mutex lock_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

} // namespace bench
