module gorleakcorpus/healthy-keepalive

go 1.19
