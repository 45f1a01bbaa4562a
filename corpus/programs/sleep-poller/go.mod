module gorleakcorpus/sleep-poller

go 1.19
