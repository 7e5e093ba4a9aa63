/* gst-resilient: which publish session a TCP connection belongs to
 * (connection_claims.h). */
#include "resilient/restore/connection_claims.h"

#include <algorithm>
#include <cctype>

namespace resilient::restore {

static bool
same_host (const std::string &a, const std::string &b)
{
  return a.size () == b.size ()
         && std::equal (a.begin (), a.end (), b.begin (),
                        [] (unsigned char x, unsigned char y) {
                          return std::tolower (x) == std::tolower (y);
                        });
}

bool
ConnectionClaims::matches (const Entry &e, const std::string &host, int port)
{
  return e.port == port && (host.empty () || same_host (e.host, host));
}

ConnectionClaims::Id
ConnectionClaims::add (const std::string &host, int port)
{
  entries_.push_back ({ next_, host, port, 0 });
  return next_++;
}

void
ConnectionClaims::remove (Id id)
{
  entries_.erase (std::remove_if (entries_.begin (), entries_.end (),
                                  [id] (const Entry &e) { return e.id == id; }),
                  entries_.end ());
}

std::optional<ConnectionClaims::Id>
ConnectionClaims::claim (const std::string &host, int port)
{
  Entry *newest = nullptr;
  for (Entry &e : entries_) {
    if (!matches (e, host, port))
      continue;
    if (e.connections == 0) {
      e.connections++;
      return e.id;
    }
    newest = &e;
  }
  if (!newest)
    return std::nullopt;
  newest->connections++;
  return newest->id;
}

int
ConnectionClaims::connections (Id id) const
{
  for (const Entry &e : entries_)
    if (e.id == id)
      return e.connections;
  return 0;
}

} // namespace resilient::restore
