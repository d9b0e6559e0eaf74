"""Explain what recurrent networks do, with measurements on the user's data: gradient flow
through time (`gradients`), one-factor-at-a-time experiments (`compare`, `narrative`) and a
self-contained HTML report (`report`). Torch is imported only when a network is measured."""
