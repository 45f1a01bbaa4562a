module gorleakcorpus/nil-chan

go 1.19
