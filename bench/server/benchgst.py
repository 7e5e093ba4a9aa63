"""What the server benches share: this build's plugin (or PLUGIN_DIR's, for
a before/after comparison) with a registry of their own, GStreamer
initialised, and free loopback ports. Import it before anything uses Gst;
the caller calls remove_registry() when it ends."""
import os
import socket
import subprocess

_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def gst(name):
    """Gst, initialised on the plugin build (children inherit the setting);
    `name` names the bench's registry file."""
    os.environ["GST_PLUGIN_PATH_1_0"] = os.environ.get(
        "PLUGIN_DIR", os.path.join(_root, "build/gst/resilient"))
    os.environ["GST_REGISTRY_1_0"] = "/tmp/%s-registry-%d.bin" % (name, os.getpid())
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    return Gst


def stop(proc):
    """Stops a child by its pid (TERM, KILL after 10 s)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def remove_registry():
    try:
        os.unlink(os.environ["GST_REGISTRY_1_0"])
    except OSError:
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
