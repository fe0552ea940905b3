"""Who is asking and what they may do: roles, hashed bearer tokens, the browser session
opened by the one-time URL, and the bound on request sizes."""
