"""The web app's tabs, one module each: its layout and its handlers.

Each tab is a function `<name>_tab(ctx, ...)` that lays the tab out and wires its events; the
handlers are module-level functions whose first argument is the `AppContext` (settings, the
index, the sessions' files), given to them by `bind`. `filters` holds the filter panel the chat
and the brief share.
"""
