#include "servers.h"

#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace restoretest {

Nginx::Nginx (const std::string & host) : host_ (host),
    port_ (fixtures::free_port ())
{
  std::ofstream conf (dir_.file ("nginx.conf"));
  conf << "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
       << "daemon off; master_process off; worker_processes 1;\n"
       << "pid " << dir_.file ("nginx.pid") << ";\n"
       << "error_log " << dir_.file ("error.log") << " info;\n"
       << "events { worker_connections 128; }\n"
       << "rtmp { server { listen " << host_ << ":" << port_ << ";\n"
       << "  application live { live on; }\n"
       << "  application deny { live on; deny publish all; }\n"
       << "} }\n";
  conf.close ();
  start ();
}

Nginx::~Nginx ()
{
  proc_.reset ();
}

void
Nginx::start ()
{
  proc_ = std::make_unique<fixtures::ChildProcess> (std::vector<std::string> {
        "nginx", "-c", dir_.file ("nginx.conf"), "-p", dir_.path () + "/"},
      dir_.file ("stdout.log"));
  if (host_ == "127.0.0.1") {
    if (!fixtures::wait_for_tcp_port (port_, std::chrono::milliseconds (5000)))
      throw std::runtime_error ("nginx did not start");
  } else {
    std::this_thread::sleep_for (std::chrono::milliseconds (300));
  }
}

void
Nginx::kill9 ()
{
  if (proc_)
    proc_->kill9 ();
  proc_.reset ();
}

void
Nginx::stop ()
{
  if (proc_)
    proc_->stop ();
}

void
Nginx::cont ()
{
  if (proc_)
    proc_->cont ();
}

std::string
Nginx::url (const std::string & app, const std::string & stream) const
{
  return "rtmp://" + host_ + ":" + std::to_string (port_) + "/" + app + "/"
      + stream;
}

int
Nginx::publish_count () const
{
  std::ifstream log (dir_.file ("error.log"));
  std::string line;
  int n = 0;
  while (std::getline (log, line))
    if (line.find ("publish: name=") != std::string::npos)
      n++;
  return n;
}

SrtRelay::SrtRelay ()
    : port_ (fixtures::free_port (true)), udp_port_ (fixtures::free_port (true))
{
  start ();
}

void
SrtRelay::start ()
{
  proc_ = std::make_unique<fixtures::ChildProcess> (std::vector<std::string> {
        "srt-live-transmit", "-q",
        "srt://127.0.0.1:" + std::to_string (port_) + "?mode=listener",
        "udp://127.0.0.1:" + std::to_string (udp_port_)});
  /* UDP: nothing to poll; the listener is up within a few milliseconds. */
  std::this_thread::sleep_for (std::chrono::milliseconds (200));
}

void
SrtRelay::kill9 ()
{
  if (proc_)
    proc_->kill9 ();
  proc_.reset ();
}

std::string
SrtRelay::url () const
{
  return "srt://127.0.0.1:" + std::to_string (port_);
}

}  // namespace restoretest

namespace restoretest {

static bool
run (const std::string & cmd)
{
  return std::system ((cmd + " >/dev/null 2>&1").c_str ()) == 0;
}

NetNs::NetNs ()
{
  const int n = 1 + (int) (getpid () % 250);
  name_ = "ars" + std::to_string (getpid ());
  prefix_ = "10.213." + std::to_string (n);
  const std::string h = "arsh" + std::to_string (n), v = "arsn" + std::to_string (n);
  /* No IPv6 inside: its link-local routes appear a second or two after a
   * link comes up and would be network changes of their own. */
  ok_ = run ("ip netns add " + name_)
      && run ("ip netns exec " + name_ + " sysctl -q -w "
          "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
      && run ("ip link add " + h + " type veth peer name " + v)
      && run ("ip link set " + v + " netns " + name_)
      && run ("ip addr add " + prefix_ + ".1/24 dev " + h)
      && run ("ip link set " + h + " up")
      && run ("ip netns exec " + name_ + " ip addr add " + prefix_ + ".2/24 dev " + v)
      && run ("ip netns exec " + name_ + " ip link set " + v + " up")
      && run ("ip netns exec " + name_ + " ip link set lo up")
      && run ("ip netns exec " + name_ + " ip route add default via " + prefix_
          + ".1");
  link_ = v;
  host_link_ = h;
}

NetNs::~NetNs ()
{
  run ("ip netns del " + name_);
  run ("ip link del " + host_link_);
}

bool
NetNs::set_link (bool up)
{
  bool ok = run ("ip netns exec " + name_ + " ip link set " + link_
      + (up ? " up" : " down"));
  /* The default route goes with the link; a host that comes back online
   * gets it again. */
  if (ok && up)
    ok = run ("ip netns exec " + name_ + " ip route replace default via "
        + prefix_ + ".1");
  return ok;
}

}  // namespace restoretest
