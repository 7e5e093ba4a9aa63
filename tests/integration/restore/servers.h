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
  Nginx ();
  ~Nginx ();
  void start ();
  void kill9 ();
  int port () const { return port_; }
  std::string url (const std::string & app, const std::string & stream) const;
  /* "publish" commands the server has seen (from its log). */
  int publish_count () const;

private:
  fixtures::TempDir dir_;
  int port_;
  std::unique_ptr<fixtures::ChildProcess> proc_;
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
