package validate

func (c *checker) checkPipelines() {}
