/* Helpers of the server element tests (reswhepserversink,
 * reswhipserversrc): raw HTTP/1.1 exchanges on loopback, fd and thread
 * counts, start errors. */
#pragma once

#include "fixtures/testcert.h"

#include <chrono>
#include <functional>
#include <string>

namespace servertest {

bool wait_for (const std::function<bool ()> &pred, std::chrono::milliseconds t);
/* "n->target ..." of this process's fds (diagnostics of a leak). */
std::string fd_list ();
int threads_now ();
/* Within 5 s, no more fds and threads than `fds0` / `threads0` (the fd
 * lists of now and `fds_before` in the failure message). */
void expect_nothing_left (int fds0, int threads0,
                          const std::string &fds_before);

struct HttpAnswer
{
  int status = 0;
  std::string head;
  std::string body;
  std::string header (const std::string &name) const;
};

/* One raw HTTP/1.1 exchange on 127.0.0.1:port (Connection: close). */
HttpAnswer raw_http (int port, const std::string &request);
/* One request over TLS (any certificate accepted: the tests' own
 * self-signed one); the raw answer, empty when TLS failed. */
std::string https_request (int port, const std::string &request);
/* the test certificate's properties and key (fixtures/testcert.h) */
using fixtures::test_certificate_props;
std::string request (const std::string &method, const std::string &path,
                     const std::string &ct, const std::string &body,
                     const std::string &extra = "");
/* A pipeline whose element cannot start: the state change fails and the
 * ERROR names `what`. */
void expect_start_error (const std::string &desc, const std::string &what);

} // namespace servertest
