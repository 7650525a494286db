package validate

func (c *checker) checkImageRecipes() {}
