module gorleakcorpus/client-no-timeout

go 1.19
