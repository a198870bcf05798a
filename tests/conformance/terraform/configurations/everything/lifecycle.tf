# aws_imagebuilder_lifecycle_policy (lifecycle_policy_test.go)

resource "aws_imagebuilder_lifecycle_policy" "test" {
  name           = var.name
  description    = local.updated ? "updated" : "Used for setting lifecycle policies"
  execution_role = aws_iam_role.imagebuilder.arn
  resource_type  = "AMI_IMAGE"
  status         = local.updated ? "DISABLED" : "ENABLED"

  policy_detail {
    action {
      type = local.updated ? "DELETE" : "DISABLE"
      include_resources {
        amis      = true
        snapshots = local.updated
      }
    }
    exclusion_rules {
      amis {
        is_public = local.updated
        last_launched {
          unit  = local.updated ? "WEEKS" : "DAYS"
          value = local.updated ? 2 : 7
        }
        tag_map = { key1 = "value1" }
      }
    }
    filter {
      type            = "AGE"
      value           = 6
      retain_at_least = local.updated ? 5 : 10
      unit            = "YEARS"
    }
  }

  resource_selection {
    recipe {
      name             = aws_imagebuilder_image_recipe.test.name
      semantic_version = aws_imagebuilder_image_recipe.test.version
    }
  }

  tags = local.tags
}

resource "aws_imagebuilder_lifecycle_policy" "containers" {
  name           = "${var.name}-containers"
  execution_role = aws_iam_role.imagebuilder.arn
  resource_type  = "CONTAINER_IMAGE"

  policy_detail {
    action {
      type = "DELETE"
    }
    filter {
      type  = "COUNT"
      value = local.updated ? 5 : 10
    }
  }

  resource_selection {
    tag_map = { key1 = "value1", key2 = "value2" }
  }
}
