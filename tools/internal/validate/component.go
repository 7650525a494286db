package validate

func (c *checker) checkComponents() {}
