/* Minimal real servers for the autorestoresink integration tests.
 *
 * NOTE for dedup: the `fixtures` branch brings tests/fixtures/servers.h
 * (fixtures::NginxRtmp) with the same job; once it is on main this file
 * should shrink to what that lacks: an application that refuses every
 * publish (wrong stream key) and the SRT listener relay.
 */
#pragma once

#include "fixtures/process.h"

#include <chrono>
#include <memory>
#include <string>

namespace restoretest {

/* nginx-rtmp as one process on a free port. Application `live` accepts any
 * publisher; application `deny` refuses every publish (as a wrong stream
 * key is refused). */
class Nginx
{
public:
  /* Listens on `host` (127.0.0.1 unless a test made another address). */
  explicit Nginx (const std::string & host = "127.0.0.1");
  ~Nginx ();
  void start ();
  void kill9 ();
  /* Silent stall (SIGSTOP) and recovery (SIGCONT). */
  void stop ();
  void cont ();
  int port () const { return port_; }
  std::string url (const std::string & app, const std::string & stream) const;
  /* "publish" commands the server has seen (from its log). */
  int publish_count () const;

private:
  fixtures::TempDir dir_;
  std::string host_;
  int port_;
  std::unique_ptr<fixtures::ChildProcess> proc_;
};

/* A network namespace joined to this one by a veth pair: the host side is
 * 10.213.<n>.1, the namespace side 10.213.<n>.2. Removed (with the pair) by
 * the destructor. ok() is false when the test may not create namespaces. */
class NetNs
{
public:
  NetNs ();
  ~NetNs ();
  bool ok () const { return ok_; }
  const std::string &name () const { return name_; }
  std::string host_address () const { return prefix_ + ".1"; }
  /* Brings the namespace side of the veth down or up. */
  bool set_link (bool up);

private:
  std::string name_;
  std::string prefix_;
  std::string link_;
  std::string host_link_;
  bool ok_ = false;
};

/* srt-live-transmit listening for SRT callers on `port` and relaying the
 * MPEG-TS to UDP 127.0.0.1:`udp_port`. */
class SrtRelay
{
public:
  SrtRelay ();
  void start ();
  void kill9 ();
  int port () const { return port_; }
  int udp_port () const { return udp_port_; }
  std::string url () const;

private:
  int port_;
  int udp_port_;
  std::unique_ptr<fixtures::ChildProcess> proc_;
};

}  // namespace restoretest
