#!/usr/bin/env python3
"""Closes an X11 window the way a window manager's close button does: a WM_DELETE_WINDOW
client message, which GTK turns into "delete-event" and Tauri into CloseRequested. (xdotool's
windowclose destroys the window instead, and Xvfb runs no window manager.) libX11 via ctypes.

    close_window.py TITLE     closes every top-level window named TITLE; exit 1 if none
    close_window.py --mapped TITLE
                              prints how many windows named TITLE are mapped (shown)
"""
import ctypes
import ctypes.util
import sys


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("l", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


class WindowAttributes(ctypes.Structure):
    # XWindowAttributes up to map_state (the rest is not read; the buffer is large enough).
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
        ("root", ctypes.c_ulong), ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int),
        ("pad", ctypes.c_char * 256),
    ]


CLIENT_MESSAGE = 33
IS_VIEWABLE = 2

x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
                         ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
                         ctypes.POINTER(ctypes.c_uint)]
x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(WindowAttributes)]
x.XFlush.argtypes = [ctypes.c_void_p]
x.XFree.argtypes = [ctypes.c_void_p]


def windows_named(dpy, title):
    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children, n = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
    if not x.XQueryTree(dpy, x.XDefaultRootWindow(dpy), ctypes.byref(root), ctypes.byref(parent),
                        ctypes.byref(children), ctypes.byref(n)):
        return []
    found = []
    for i in range(n.value):
        name = ctypes.c_char_p()
        if x.XFetchName(dpy, children[i], ctypes.byref(name)) and name.value is not None:
            if name.value.decode("utf-8", "replace") == title:
                found.append(children[i])
    return found


def main():
    args = sys.argv[1:]
    mapped_only = args[:1] == ["--mapped"]
    if mapped_only:
        args = args[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    dpy = x.XOpenDisplay(None)
    if not dpy:
        sys.exit("close_window.py: no X display (is DISPLAY set?)")
    wins = windows_named(dpy, args[0])
    if mapped_only:
        shown = 0
        for w in wins:
            attrs = WindowAttributes()
            if x.XGetWindowAttributes(dpy, w, ctypes.byref(attrs)) and attrs.map_state == IS_VIEWABLE:
                shown += 1
        print(shown)
        return
    if not wins:
        sys.exit(f"close_window.py: no window named {args[0]!r}")
    protocols = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    delete = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)
    for w in wins:
        ev = XEvent()
        ev.xclient.type = CLIENT_MESSAGE
        ev.xclient.window = w
        ev.xclient.message_type = protocols
        ev.xclient.format = 32
        ev.xclient.l[0] = delete
        ev.xclient.l[1] = 0  # CurrentTime
        x.XSendEvent(dpy, w, 0, 0, ctypes.byref(ev))
    x.XFlush(dpy)


if __name__ == "__main__":
    main()
