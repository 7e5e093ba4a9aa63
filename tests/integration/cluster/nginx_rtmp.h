/* A minimal nginx-rtmp launcher for the cluster integration tests.
 *
 * TODO(dedup): the fixtures branch is writing a shared NginxRtmp fixture in
 * tests/fixtures; once it is on main this file should be replaced by it.
 * Single process (master_process off) so that one kill takes the whole
 * server down, everything in a TempDir, listening on 127.0.0.1 only. */
#pragma once

#include "fixtures/process.h"

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace cluster_test {

class NginxRtmp
{
public:
  NginxRtmp () : port_ (fixtures::free_port ()) { start (); }

  void start ()
  {
    std::string conf = dir_.file ("nginx.conf");
    std::ofstream out (conf);
    out << "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n"
        << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
        << "pid " << dir_.file ("nginx.pid") << ";\n"
        << "error_log " << dir_.file ("error.log") << " info;\n"
        << "events { worker_connections 256; }\n"
        << "rtmp { server { listen 127.0.0.1:" << port_ << ";\n"
        << "  application live { live on; } } }\n";
    out.close ();
    proc_ = std::make_unique<fixtures::ChildProcess> (
        std::vector<std::string>{ "nginx", "-c", conf, "-p", dir_.path () + "/",
                                  "-e", dir_.file ("error.log") },
        dir_.file ("stdout.log"));
    if (!fixtures::wait_for_tcp_port (port_, std::chrono::milliseconds (5000)))
      throw std::runtime_error ("nginx-rtmp did not start on port "
                                + std::to_string (port_));
  }
  int port () const { return port_; }
  std::string base (const char *app = "live") const
  {
    return "rtmp://127.0.0.1:" + std::to_string (port_) + "/" + app;
  }
  fixtures::ChildProcess &process () { return *proc_; }

private:
  fixtures::TempDir dir_;
  int port_;
  std::unique_ptr<fixtures::ChildProcess> proc_;
};

} // namespace cluster_test
