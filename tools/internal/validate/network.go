package validate

func (c *checker) checkNetworks() {}
