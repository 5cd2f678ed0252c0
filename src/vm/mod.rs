//! Talking to VMs. Nothing outside this module names Multipass.
