#include "resilient/cluster/state_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace resilient::cluster {

static constexpr const char *kHeader
    = "# gst-resilient cluster failure memory v1";

static std::string
clean (std::string s)
{
  for (char &c : s)
    if (c == '\t' || c == '\n' || c == '\r')
      c = ' ';
  return s;
}

/* A host URL never holds whitespace or control characters; a key that
 * does cannot be written and read back as itself (tabs separate fields). */
static bool
storable_host (const std::string &host)
{
  if (host.empty ())
    return false;
  for (unsigned char c : host)
    if (c <= ' ' || c == 0x7f)
      return false;
  return true;
}

std::string
serialise_memory (const FailureMemory &memory)
{
  std::ostringstream out;
  out << kHeader << '\n';
  for (auto &[host, r] : memory.records ()) {
    if (!storable_host (host))
      continue;
    out << to_ms (r.expires_at) << '\t' << to_ms (r.failed_at) << '\t'
        << clean (r.reason) << '\t' << host << '\n';
  }
  return out.str ();
}

static bool
parse_int64 (const std::string &s, std::int64_t &v)
{
  if (s.empty ())
    return false;
  char *end = nullptr;
  errno = 0;
  long long x = std::strtoll (s.c_str (), &end, 10);
  if (errno || !end || *end)
    return false;
  v = x;
  return true;
}

size_t
parse_memory (const std::string &text, TimePoint now, FailureMemory &memory)
{
  std::istringstream in (text);
  std::string line;
  if (!std::getline (in, line) || line != kHeader)
    return 0;
  size_t n = 0;
  while (std::getline (in, line)) {
    std::string fields[4];
    size_t start = 0;
    int i = 0;
    for (; i < 3; i++) {
      auto tab = line.find ('\t', start);
      if (tab == std::string::npos)
        break;
      fields[i] = line.substr (start, tab - start);
      start = tab + 1;
    }
    if (i != 3)
      continue;
    fields[3] = line.substr (start);
    std::int64_t expires, failed;
    if (!parse_int64 (fields[0], expires) || !parse_int64 (fields[1], failed)
        || !storable_host (fields[3]))
      continue;
    FailureRecord r{ fields[2], ms (failed), ms (expires) };
    if (r.expires_at <= now)
      continue;
    memory.restore (fields[3], r);
    n++;
  }
  return n;
}

bool
write_file_atomically (const std::string &path, const std::string &text,
                       std::string &error)
{
  std::string tmp = path + ".tmp." + std::to_string (::getpid ());
  int fd
      = ::open (tmp.c_str (), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot create " + tmp + ": " + std::strerror (errno);
    return false;
  }
  size_t off = 0;
  while (off < text.size ()) {
    ssize_t w = ::write (fd, text.data () + off, text.size () - off);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      error = "cannot write " + tmp + ": " + std::strerror (errno);
      ::close (fd);
      ::unlink (tmp.c_str ());
      return false;
    }
    off += static_cast<size_t> (w);
  }
  ::fsync (fd);
  ::close (fd);
  if (::rename (tmp.c_str (), path.c_str ()) != 0) {
    error
        = "cannot rename " + tmp + " to " + path + ": " + std::strerror (errno);
    ::unlink (tmp.c_str ());
    return false;
  }
  return true;
}

bool
read_file (const std::string &path, std::string &text)
{
  std::ifstream in (path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream ss;
  ss << in.rdbuf ();
  text = ss.str ();
  return true;
}

} // namespace resilient::cluster
