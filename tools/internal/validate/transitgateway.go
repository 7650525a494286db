package validate

func (c *checker) checkTransitGateways() {}
