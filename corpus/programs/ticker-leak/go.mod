module gorleakcorpus/ticker-leak

go 1.19
