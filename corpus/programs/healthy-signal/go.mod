module gorleakcorpus/healthy-signal

go 1.19
