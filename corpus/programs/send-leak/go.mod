module gorleakcorpus/send-leak

go 1.19
