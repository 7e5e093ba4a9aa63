#include "servers.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace restoretest {

Nginx::Nginx () : port_ (fixtures::free_port ())
{
  std::ofstream conf (dir_.file ("nginx.conf"));
  conf << "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
       << "daemon off; master_process off; worker_processes 1;\n"
       << "pid " << dir_.file ("nginx.pid") << ";\n"
       << "error_log " << dir_.file ("error.log") << " info;\n"
       << "events { worker_connections 128; }\n"
       << "rtmp { server { listen 127.0.0.1:" << port_ << ";\n"
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
  if (!fixtures::wait_for_tcp_port (port_, std::chrono::milliseconds (5000)))
    throw std::runtime_error ("nginx did not start");
}

void
Nginx::kill9 ()
{
  if (proc_)
    proc_->kill9 ();
  proc_.reset ();
}

std::string
Nginx::url (const std::string & app, const std::string & stream) const
{
  return "rtmp://127.0.0.1:" + std::to_string (port_) + "/" + app + "/"
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
