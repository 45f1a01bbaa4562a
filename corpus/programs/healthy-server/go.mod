module gorleakcorpus/healthy-server

go 1.19
