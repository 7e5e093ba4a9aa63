/* gst-resilient: which publish session a TCP connection belongs to.
 *
 * A network sink of ours (rtmp2sink) opens its TCP connection inside a
 * library we do not control: the process sees the connection being made
 * (GIO's GSocketClient "event"), but not which sink made it. The element
 * needs that connection to shorten the connect (TCP_QUICKACK) and to end a
 * stuck one (shutdown) when the session fails.
 *
 * ConnectionClaims matches them. Every session that is about to connect
 * adds its destination (host and port, as in its URI); a connection
 * opened to a destination goes to the oldest session of that destination
 * that has none yet (sessions start their connects in the order they are
 * added), else to the newest one of that destination (a second connect of
 * the same session: RTMP's authentication reconnect). A connection to a
 * destination no session added (another part of the process, a TCP
 * probe) belongs to nobody. Host names compare without case; an empty
 * host (the connect did not say) matches any host on the port.
 *
 * Not thread-safe: the caller serialises (the connect runs on the sink's
 * thread, the sessions come and go on the element's loop). */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace resilient::restore {

class ConnectionClaims
{
public:
  using Id = std::uint64_t;

  /* A session about to connect to host:port; its id. */
  Id add (const std::string &host, int port);
  /* The session is gone (its connections belong to nobody any more). */
  void remove (Id id);
  /* A connection to host:port was opened: the session it belongs to, or
   * nullopt. */
  std::optional<Id> claim (const std::string &host, int port);
  /* Connections given to `id` so far. */
  int connections (Id id) const;
  std::size_t size () const { return entries_.size (); }

private:
  struct Entry
  {
    Id id;
    std::string host;
    int port;
    int connections = 0;
  };
  static bool matches (const Entry &e, const std::string &host, int port);

  std::vector<Entry> entries_; /* in the order they were added */
  Id next_ = 1;
};

} // namespace resilient::restore
