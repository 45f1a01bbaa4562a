module gorleakcorpus/wg-leak

go 1.19
